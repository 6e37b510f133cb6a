"""The fee notice (Gebührenbescheid): what it says, its GiroCode and its PDF/A-3b (pure).

``notice.FeeNotice`` holds everything a notice says; ``wording`` turns it into German text;
``girocode`` makes the EPC QR code a banking app scans; ``pdf.render`` lays it out as an
archivable PDF (``archival`` says how it is made PDF/A-3b). Nothing here reads a clock, a
setting or a socket: the same notice always gives the same bytes.
"""
