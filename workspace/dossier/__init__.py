"""The consolidated dossier, its exports, and the authorities' answers."""
