// Placeholder while the CLI is being assembled (see the sweep); replaced shortly.
int main() { return 0; }
