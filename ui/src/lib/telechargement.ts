// Files made by the backend and carried as base64 (PDF sheets, patient exports, accounting and
// statistics files): opened or saved through a blob URL, the same way in the desktop webview and in
// a plain browser.

/** The bytes of a base64 text (the UI's one base64 decoder). */
export function octets(base64: string): Uint8Array {
  const binaire = atob(base64);
  const out = new Uint8Array(binaire.length);
  for (let i = 0; i < binaire.length; i++) out[i] = binaire.charCodeAt(i);
  return out;
}

/** Offers `contenu` as a file named `nom` (a download link clicked for the user). */
export function enregistrerFichier(nom: string, contenu: Uint8Array | string, type: string): void {
  const blob = new Blob([contenu as BlobPart], { type });
  const url = URL.createObjectURL(blob);
  const lien = document.createElement('a');
  lien.href = url;
  lien.download = nom;
  document.body.appendChild(lien);
  lien.click();
  lien.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Opens a PDF in a new tab (printable from there) and also offers it as a file. */
export function ouvrirPdfBase64(nom: string, base64: string): void {
  const bytes = octets(base64);
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/pdf' }));
  globalThis.open?.(url, '_blank');
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  enregistrerFichier(nom, bytes, 'application/pdf');
}
