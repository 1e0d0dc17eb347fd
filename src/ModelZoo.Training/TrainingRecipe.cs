namespace ModelZoo.Training;

/// <summary>A default recipe: training options plus the model initialisation and augmentation it assumes.</summary>
/// <param name="Options">Training options (optimiser, rate, schedule, batch, epochs, weight decay).</param>
/// <param name="Init">Weight initialisation for the model.</param>
/// <param name="Augment">Augmentation preset name ("mnist", "imagenet", "none").</param>
/// <param name="Source">Where the recipe comes from.</param>
public sealed record TrainingRecipe(TrainingOptions Options, InitScheme Init, string Augment, string Source);
