namespace ModelZoo.Training.Experiments;

/// <summary>One of the seed's experiments: its variants and the conclusion the seed drew.</summary>
/// <param name="Name">Command name (<c>optimizers</c>, <c>init</c>, <c>depth</c>, <c>augment</c>).</param>
/// <param name="Variable">The variable under study ("optimizer", "initial weights", ...).</param>
/// <param name="Title">A one-line title for figures.</param>
/// <param name="Variants">The arms, in legend order.</param>
/// <param name="SeedConclusion">What the seed concluded, in one sentence.</param>
public sealed record ExperimentDefinition(
    string Name,
    string Variable,
    string Title,
    IReadOnlyList<ExperimentVariant> Variants,
    string SeedConclusion);
