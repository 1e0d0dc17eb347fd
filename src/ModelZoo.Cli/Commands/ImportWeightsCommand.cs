using System.Globalization;
using System.Text.Json.Nodes;
using ModelZoo.Data;
using ModelZoo.Training;
using ModelZoo.Weights;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// <c>modelzoo import-weights</c>: a torchvision <c>.pth</c> or a safetensors file loaded by name into the zoo model
/// (strict: every key must match) and written as a ModelZoo checkpoint that <c>evaluate</c>, <c>predict</c>,
/// <c>embed</c> and <c>export</c> take. The checkpoint records the card's preprocessing (mean/std, input size).
/// </summary>
public sealed class ImportWeightsCommand(CliEnvironment env) : Command<ImportWeightsSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ImportWeightsSettings settings, CancellationToken cancellationToken)
    {
        string name = Zoo.Resolve(settings.Model!);
        var known = WeightsSource.Known(settings.Weights); // issue 25: NAME|URL|FILE
        OutputPaths.CheckFile("--output", settings.Output!, settings.Overwrite, (File.Exists(settings.Weights) ? new FileInfo(settings.Weights!).Length : 600L << 20) + (1L << 20));
        string weightsFile = WeightsSource.Resolve("--weights", settings.Weights!, settings.Sha256, env, name);
        var card = Zoo.Card(name);
        // --aux-logits and --transform-input are GoogLeNet's options; the family checks them (Zoo.Create refuses them for another model).
        bool transformInput = settings.TransformInput || (known?.TransformInput ?? false);
        var family = settings.AuxLogits || transformInput
            ? new ModelZoo.Models.GoogLeNetOptions { AuxLogits = settings.AuxLogits, TransformInput = transformInput }
            : null;
        var options = Zoo.ResolveOptions(name, new ModelOptions { NumClasses = settings.Classes, Family = family });
        using var scope = NewDisposeScope();
        using var model = Zoo.Create(name, options);
        var loaded = PretrainedWeights.Load(model, weightsFile);
        int classes = options.NumClasses ?? card.DefaultClasses;
        int channels = options.InChannels ?? card.DefaultInput.Channels;
        IReadOnlyList<string> classNames = known?.ClassList == WeightsInfo.ImageNet1k && classes == ModelZoo.Data.Folders.ClassNames.ImageNetClassIds.Count
            ? ModelZoo.Data.Folders.ClassNames.ImageNetClassIds
            : Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var normalization = new Normalization(card.Preprocessing.Mean.ToArray(), card.Preprocessing.Std.ToArray());
        var descriptor = new ModelDescriptor(name, options, classNames, normalization, channels, card.Preprocessing.CropSize,
            "imported:" + (known?.Name ?? Path.GetFileName(weightsFile)));
        Checkpoint.SaveWeights(settings.Output!, model, descriptor);
        string output = Path.GetFullPath(settings.Output!);
        if (settings.Json)
        {
            env.Console.Profile.Out.Writer.WriteLine(new JsonObject
            {
                ["model"] = name, ["weights"] = Path.GetFullPath(weightsFile), ["output"] = output,
                ["tensors"] = loaded.Loaded.Count, ["stripped_prefix"] = loaded.StrippedPrefix, ["classes"] = classes,
            }.ToJsonString(CliJson.Compact));
        }
        else
        {
            env.Console.MarkupLine(Markup.Escape($"imported {loaded.Loaded.Count} tensors into {name}" +
                (loaded.StrippedPrefix.Length > 0 ? $" (prefix '{loaded.StrippedPrefix}' removed)" : "") + $": wrote {output}"));
        }
        return ExitCodes.Success;
    }
}
