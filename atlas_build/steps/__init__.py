"""The build's steps, one per kind of source material, each a thin layer over the library:
solids (bones, discs, muscles), vessels, nerves, landmarks, authored anatomy."""
