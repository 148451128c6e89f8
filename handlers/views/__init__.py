"""Views: what each dialog says, built from the translated catalogues. No text literals in handlers."""
