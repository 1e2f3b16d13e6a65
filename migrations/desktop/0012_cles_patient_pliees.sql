-- Appligarde desktop store, schema 12: patient search keys folded by the one folding table.
-- Keys made before `appligarde_domain::texte` kept letters such as `Ł`, `Š`, `Ğ` (a key with a
-- non-ASCII character). They are emptied here, once; the store refills every empty key with the
-- program's folding right after the migrations (`patient::remplir_cles_recherche`), as it did for
-- the rows of schema 2 and older.
-- Released migrations are never edited: add a new numbered file instead.

UPDATE patient SET nom_recherche = ''
WHERE nom_recherche GLOB '*[^ -~]*' OR nom_naissance_recherche GLOB '*[^ -~]*';
