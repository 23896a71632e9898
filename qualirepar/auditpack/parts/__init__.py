"""The parts of the audit pack, one module each: every part writes its file(s) into the zip being
built (`archive.Zip`) and returns what it wrote (`archive.Part`), reading its rows in batches."""
