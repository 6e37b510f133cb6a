"""casework — the clerk's desk: cases, queues, delegation between towns, automated decisions."""
