"""intake — the citizen's door: the towns' catalogues, application forms, submissions, tracking."""
