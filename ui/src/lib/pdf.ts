// Opening a printed document. In the desktop app the PDF was written in the data directory: the
// shell's `ouvrir_document` command (called by `ouvrirDocument` of api/backend.ts) opens it in the
// system viewer (which offers printing). In a plain browser (`appligarde-cli serve`), the PDF bytes
// of the answer open as a blob URL.

import { ouvrirDocument } from './api/backend';
import type { DocumentImprimeDto } from './api/types';
import { octets } from './telechargement';

/** "Ordonnance ouverte … imprimez-la", "Certificat médical ouvert … imprimez-le". */
function accord(doc: DocumentImprimeDto): { ouvert: string; le: string } {
  return doc.document.nature === 'ordonnance' ? { ouvert: 'ouverte', le: 'la' } : { ouvert: 'ouvert', le: 'le' };
}

/** Opens the printed PDF; returns a French sentence for the status line. */
export async function ouvrirPdf(doc: DocumentImprimeDto): Promise<string> {
  const { ouvert, le } = accord(doc);
  if (await ouvrirDocument(doc.chemin)) {
    return `${doc.document.nature_libelle} ${ouvert} dans la visionneuse : imprimez-${le} depuis celle-ci.`;
  }
  const blob = new Blob([octets(doc.pdf_base64) as BlobPart], { type: 'application/pdf' });
  const url = URL.createObjectURL(blob);
  globalThis.open?.(url, '_blank');
  // The tab keeps its own copy; the URL can go after a while.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return `${doc.document.nature_libelle} ${ouvert} dans un nouvel onglet : imprimez-${le} depuis celui-ci.`;
}
