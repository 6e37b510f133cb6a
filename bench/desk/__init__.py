"""Parts of the clerks' desk benchmark (``python -m bench.casework``): the application mix,
the clerks at work, the queue's query shapes, the bulk load to a million cases, the pages."""
