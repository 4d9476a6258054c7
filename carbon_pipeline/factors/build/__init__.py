"""Scripts that rebuild the shipped factor files from stored publisher copies (sources/)."""
