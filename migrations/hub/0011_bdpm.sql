-- Appligarde hub, schema 11: releases of the public drug database (ANSM BDPM) published to the
-- desktops (`appligarde-hub admin publish bdpm DIR`), a new kind of reference publication whose
-- content is the compact form of appligarde-bdpm in base64. Sent only to desktops that ask for
-- it (`bdpm=1`).
-- Released migrations are never edited: add a new numbered file instead.
ALTER TABLE reference_publication DROP CONSTRAINT reference_publication_kind_check;
ALTER TABLE reference_publication ADD CONSTRAINT reference_publication_kind_check
    CHECK (kind IN ('rpps', 'annuaire', 'tarifs', 'cim10', 'convention', 'bdpm'));
