"""Use-case services: one public method per thing a person does."""
