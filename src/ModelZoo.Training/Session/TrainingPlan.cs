using ModelZoo.Data;

namespace ModelZoo.Training;

/// <summary>
/// A run as it will run, before anything is built or written: the composed and checked spec with the policy's choices
/// (what <c>--print-config</c> prints), why they were made, what the data holds, and the run folder.
/// </summary>
/// <param name="Composed">The spec with where each field came from.</param>
/// <param name="Notes">One line per choice the policy made (batch size, learning rate), for the start banner.</param>
/// <param name="Data">What the data holds.</param>
/// <param name="Resumed">The recorded configuration of a resumed run, or null for a new run.</param>
/// <param name="RunDirectory">The run folder (null when nothing is written).</param>
public sealed record TrainingPlan(
    ComposedRunSpec Composed,
    IReadOnlyList<string> Notes,
    DataFacts Data,
    RunConfiguration? Resumed,
    string? RunDirectory)
{
    /// <summary>The spec as it will run.</summary>
    public RunSpec Spec => Composed.Spec;

    /// <summary>The spec as a recipe file (what <c>--print-config</c> prints; <c>--config</c> reads it back).</summary>
    public string ToRecipeJson() => Spec.ToJson().ToJsonString(TrainingJson.Indented);
}
