"""Creating personas: traits, templates, a quiz, seeded random generation, the wizard."""
