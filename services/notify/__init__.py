"""notify — messages: e-mail to citizens, clerks and authorities, with retries and a record."""
