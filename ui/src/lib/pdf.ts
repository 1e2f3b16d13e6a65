// Opening a printed document. In the desktop app the PDF was written in the data directory: the
// shell's `ouvrir_document` command opens it in the system viewer (which offers printing). In a
// plain browser (`appligarde-cli serve`), the PDF bytes of the answer open as a blob URL.

import type { DocumentImprimeDto } from './api/types';

/** The PDF bytes of a print answer (base64 in the JSON). */
export function pdfBytes(doc: DocumentImprimeDto): Uint8Array {
  const binary = atob(doc.pdf_base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Opens the printed PDF; returns a French sentence for the status line. */
export async function ouvrirPdf(doc: DocumentImprimeDto): Promise<string> {
  const w = globalThis as unknown as { __TAURI_INTERNALS__?: unknown };
  if (w.__TAURI_INTERNALS__) {
    const { invoke } = await import('@tauri-apps/api/core');
    await invoke('ouvrir_document', { chemin: doc.chemin });
    return `${doc.document.nature_libelle} ouvert dans la visionneuse (imprimez-le depuis celle-ci).`;
  }
  const blob = new Blob([pdfBytes(doc) as BlobPart], { type: 'application/pdf' });
  const url = URL.createObjectURL(blob);
  globalThis.open?.(url, '_blank');
  // The tab keeps its own copy; the URL can go after a while.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return `${doc.document.nature_libelle} ouvert dans un nouvel onglet (imprimez-le depuis celui-ci).`;
}
