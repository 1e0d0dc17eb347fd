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
        OutputPaths.CheckFile("--output", settings.Output!, settings.Overwrite, new FileInfo(settings.Weights!).Length + (1L << 20));
        var card = Zoo.Card(name);
        // --aux-logits and --transform-input are GoogLeNet's options; the family checks them (Zoo.Create refuses them for another model).
        var family = settings.AuxLogits || settings.TransformInput
            ? new ModelZoo.Models.GoogLeNetOptions { AuxLogits = settings.AuxLogits, TransformInput = settings.TransformInput }
            : null;
        var options = Zoo.ResolveOptions(name, new ModelOptions { NumClasses = settings.Classes, Family = family });
        using var scope = NewDisposeScope();
        using var model = Zoo.Create(name, options);
        var loaded = PretrainedWeights.Load(model, settings.Weights!);
        int classes = options.NumClasses ?? card.DefaultClasses;
        int channels = options.InChannels ?? card.DefaultInput.Channels;
        var classNames = Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var normalization = new Normalization(card.Preprocessing.Mean.ToArray(), card.Preprocessing.Std.ToArray());
        var descriptor = new ModelDescriptor(name, options, classNames, normalization, channels, card.Preprocessing.CropSize,
            "imported:" + Path.GetFileName(settings.Weights!));
        Checkpoint.SaveWeights(settings.Output!, model, descriptor);
        string output = Path.GetFullPath(settings.Output!);
        if (settings.Json)
        {
            env.Console.Profile.Out.Writer.WriteLine(new JsonObject
            {
                ["model"] = name, ["weights"] = Path.GetFullPath(settings.Weights!), ["output"] = output,
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
