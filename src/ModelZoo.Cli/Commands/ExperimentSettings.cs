using System.ComponentModel;
using ModelZoo.Training.Experiments;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo experiment</c>.</summary>
public sealed class ExperimentSettings : ComputeSettings
{
    /// <summary>The experiment.</summary>
    [CommandArgument(0, "<NAME>")]
    [Description("optimizers, init, depth or augment.")]
    public string Name { get; init; } = "";

    /// <summary>Data spec.</summary>
    [CommandOption("-d|--data <SPEC>")]
    [Description("Data spec shared by every variant (default mnist-sample). Variants are tested on its test/validation split.")]
    public string Data { get; init; } = "mnist-sample";

    /// <summary>Epochs per variant.</summary>
    [CommandOption("--epochs <N>")]
    [Description("Epochs per variant (default 1).")]
    public int Epochs { get; init; } = 1;

    /// <summary>Max steps per epoch.</summary>
    [CommandOption("--max-steps-per-epoch|--max-steps <N>")]
    [Description("At most N optimiser steps per epoch (small, quick runs). Also --max-steps.")]
    public int? MaxSteps { get; init; }

    /// <summary>Batch size.</summary>
    [CommandOption("--batch-size <N>")]
    [Description("Mini-batch size (default 100).")]
    public int BatchSize { get; init; } = 100;

    /// <summary>Seed.</summary>
    [CommandOption("--seed <N>")]
    [Description("Seed of weights, shuffling, augmentation and dropout, the same for every variant (default 42).")]
    public long Seed { get; init; } = 42;

    /// <summary>Dropout.</summary>
    [CommandOption("--dropout <P>")]
    [Description("Classifier dropout of the models (default 0; 0.5 is the book's deepcnn, whose dropout on the logits makes short training curves mostly noise).")]
    public double? Dropout { get; init; }

    /// <summary>Seconds between progress refreshes.</summary>
    [CommandOption("--progress-interval <SECONDS>")]
    [Description("Seconds between progress updates: the live view (default 2) and redirected output (default 10).")]
    public double? ProgressInterval { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (!ExperimentCatalog.Names.Contains(Name, StringComparer.OrdinalIgnoreCase))
            return ValidationResult.Error($"unknown experiment '{Name}'{Suggestions.DidYouMean(Name, ExperimentCatalog.Names)} Experiments: {string.Join(", ", ExperimentCatalog.Names)}");
        if (string.IsNullOrWhiteSpace(Data)) return ValidationResult.Error("--data needs a data spec");
        if (InputPaths.DataProblem("--data", Data) is string badData) return ValidationResult.Error(badData);
        if (Epochs < 1) return ValidationResult.Error("--epochs must be at least 1");
        if (MaxSteps is < 1) return ValidationResult.Error("--max-steps must be at least 1");
        if (BatchSize < 1) return ValidationResult.Error("--batch-size must be at least 1");
        if (Dropout is < 0 or >= 1) return ValidationResult.Error("--dropout must be in [0, 1)");
        if (ProgressInterval is not null && !(ProgressInterval >= 0.05 && ProgressInterval <= 3600)) return ValidationResult.Error("--progress-interval must be between 0.05 and 3600 seconds");
        return base.Validate();
    }
}
