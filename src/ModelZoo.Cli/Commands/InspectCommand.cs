using System.Text.Json.Nodes;
using ModelZoo.Inspection;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace ModelZoo.Cli.Commands;

/// <summary><c>modelzoo inspect</c>: per-layer table (shapes, params, MACs) or the state-dict keys of a zoo model.</summary>
public sealed class InspectCommand(CliEnvironment env) : Command<InspectSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, InspectSettings settings, CancellationToken cancellationToken)
    {
        string name = Zoo.Resolve(settings.Model!);
        var card = Zoo.Card(name);
        long[] input = settings.ParseInput() ?? [card.DefaultInput.Channels, card.DefaultInput.Height, card.DefaultInput.Width];
        int classes = settings.Classes ?? card.DefaultClasses;
        using var scope = NewDisposeScope();
        using var model = Zoo.Create(name, new ModelOptions { NumClasses = classes, InChannels = (int)input[0], Seed = 0 });
        var output = env.Console.Profile.Out.Writer;

        if (settings.StateDict)
        {
            var entries = ModelInspector.StateDict(model);
            if (settings.Json)
            {
                var keys = new JsonArray();
                foreach (var e in entries)
                    keys.Add(new JsonObject { ["key"] = e.Key, ["shape"] = new JsonArray(e.Shape.Select(d => (JsonNode?)d).ToArray()), ["dtype"] = e.DType });
                output.WriteLine(new JsonObject { ["model"] = name, ["classes"] = classes, ["in_channels"] = input[0], ["count"] = entries.Count, ["keys"] = keys }.ToJsonString(CliJson.Compact));
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Simple).AddColumn("key").AddColumn("shape").AddColumn("dtype");
            foreach (var e in entries) table.AddRow(Markup.Escape(e.Key), string.Join(" x ", e.Shape), e.DType);
            env.Console.Write(table);
            env.Console.WriteLine($"{entries.Count} keys");
            return ExitCodes.Success;
        }

        var summary = ModelInspector.Summarize(model, input, name);
        if (settings.Json)
        {
            var layers = new JsonArray();
            foreach (var l in summary.Layers)
                layers.Add(new JsonObject
                {
                    ["name"] = l.Name, ["type"] = l.Type,
                    ["output_shape"] = new JsonArray(l.OutputShape.Select(d => (JsonNode?)d).ToArray()),
                    ["params"] = l.Parameters, ["macs"] = l.Macs,
                });
            output.WriteLine(new JsonObject
            {
                ["model"] = name,
                ["input"] = new JsonArray(input.Select(d => (JsonNode?)d).ToArray()),
                ["classes"] = classes,
                ["params"] = summary.Parameters,
                ["trainable_params"] = summary.TrainableParameters,
                ["frozen_params"] = summary.FrozenParameters,
                ["macs"] = summary.Macs,
                ["layers"] = layers,
            }.ToJsonString(CliJson.Compact));
            return ExitCodes.Success;
        }

        var grid = new Table().Border(TableBorder.Simple)
            .AddColumn("layer").AddColumn("type").AddColumn("output").AddColumn(new TableColumn("params").RightAligned()).AddColumn(new TableColumn("MACs").RightAligned());
        foreach (var l in summary.Layers)
            grid.AddRow(Markup.Escape(l.Name), Markup.Escape(l.Type), string.Join("x", l.OutputShape), Units.Count(l.Parameters), Units.Count(l.Macs));
        env.Console.Write(grid);
        env.Console.WriteLine($"{name} at {string.Join("x", input)}, {classes} classes: {summary.Parameters:N0} params "
            + $"({summary.TrainableParameters:N0} trainable, {summary.FrozenParameters:N0} frozen), {summary.Macs:N0} MACs ({Units.Count(summary.Macs)})");
        return ExitCodes.Success;
    }
}
