"""REST API views, one module per resource. Views stay thin: selectors read, services write."""
