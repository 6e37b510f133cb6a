"""archive — the e-file (E-Akte): closed cases filed tamper-evidently, personal data erased."""
