"""Letters casework issues: the decision (Bescheid) in German, rendered as PDF (pure).

``decision`` says what a letter holds and composes its German text, ``remedies`` the legal
remedy notice and the competent court, ``particulars`` what a procedure's form adds (the
addressee's address, a traffic order's details), ``pdf`` lays it out on the town's letterhead.
"""
