"""Importing a past dossier or a working group's notes (DOCX, ODT, Markdown) as draft recommendations:
`readers` turn a document into neutral blocks, `splitter` proposes drafts from them, `proposal` keeps
the proposal under the facilitator's review and makes the drafts."""
