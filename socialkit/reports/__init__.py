"""Reports: warm kernels, the batch runner (local or on a cluster), the HTML pages and
what the report notebooks display."""
