"""Guards against hostile, odd and broken input (issue 13): names that would leave a folder, objects that
would exhaust memory, disk or time. Small and dependency-free so every reader can use them."""
