using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo evaluate</c>.</summary>
public sealed class EvaluateSettings : ComputeSettings
{
    /// <summary>Checkpoints (several: an ensemble).</summary>
    [CommandOption("-c|--checkpoint <FILE>")]
    [Description("Checkpoint file, or a run folder (its best checkpoint). Repeat to evaluate an ensemble (averaged probabilities).")]
    public string[] Checkpoints { get; init; } = [];

    /// <summary>Known pretrained weights instead of a checkpoint (issue 25).</summary>
    [CommandOption("--weights <NAME>")]
    [Description("Known pretrained weights instead of --checkpoint (resnet50.tv2_in1k; downloaded once, verified, cached); needs --data with the weights' classes (an ImageNet-format folder of the 1,000 WordNet ids).")]
    public string? Weights { get; init; }

    /// <summary>Data spec.</summary>
    [CommandOption("-d|--data <SPEC>")]
    [Description("Data spec (default: the one the first checkpoint was trained on). Evaluates its validation/test split.")]
    public string? Data { get; init; }

    /// <summary>Batch size.</summary>
    [CommandOption("--batch-size <N>")]
    [Description("Mini-batch size (default 100).")]
    public int BatchSize { get; init; } = 100;

    /// <summary>Seed for a held-out split.</summary>
    [CommandOption("--seed <N>")]
    [Description("Seed of the held-out validation split for folders without val/ (use the training seed; default 42).")]
    public int Seed { get; init; } = 42;

    /// <summary>Held-out fraction.</summary>
    [CommandOption("--validation-split|--val-split <FRACTION>")]
    [Description("Held-out fraction for folders without val/ (use the training value; default 0: the data set's own split). Also --val-split.")]
    public double ValidationSplit { get; init; }

    /// <summary>Use the EMA weights.</summary>
    [CommandOption("--ema")]
    [Description("Evaluate the checkpoints' model EMA weights (runs trained with --ema) instead of the raw ones.")]
    public bool Ema { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if ((Checkpoints.Length == 0) == (Weights is null)) return ValidationResult.Error("give --checkpoint FILE (one or more) or --weights NAME");
        if (Weights is not null && WeightsSource.NameProblem("--weights", Weights) is string badWeights) return ValidationResult.Error(badWeights);
        if (Weights is not null && string.IsNullOrWhiteSpace(Data)) return ValidationResult.Error("--weights needs --data: the folder to evaluate on");
        if (!string.IsNullOrWhiteSpace(Data) && InputPaths.DataProblem("--data", Data) is string badData) return ValidationResult.Error(badData);
        if (BatchSize < 1) return ValidationResult.Error("--batch-size must be at least 1");
        if (ValidationSplit is < 0 or >= 1) return ValidationResult.Error("--val-split must be in [0, 1)");
        return base.Validate();
    }
}
