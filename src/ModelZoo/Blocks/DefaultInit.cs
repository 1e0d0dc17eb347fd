namespace ModelZoo.Blocks;

/// <summary>
/// What <see cref="InitScheme.Default"/> means for a family: fills one layer's weight and bias by its role. Each
/// family file holds its own (torchvision's choice for that family); draw only through <paramref name="draws"/> so
/// that a seed reproduces the model.
/// </summary>
/// <param name="target">The layer: role, weight, bias and fans.</param>
/// <param name="draws">The random draws (seeded or global).</param>
public delegate void DefaultInit(InitTarget target, InitDraws draws);
