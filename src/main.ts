// Placeholder entry point; the operator wiring lands with the controller.
process.stdout.write('modelship operator: not implemented yet\n');
