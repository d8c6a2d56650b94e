"""Services own the rules: each public function is one operation a page or API call invokes."""
