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
        ModelInputs.EnsureFits(name, (int)input[1], (int)input[2]);
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
        var memory = settings.Precisions()!.Select(p => ModelInspector.EstimateMemory(summary, p)).ToList();
        if (settings.Json)
        {
            var memoryJson = new JsonArray();
            foreach (var m in memory)
                memoryJson.Add(new JsonObject
                {
                    ["precision"] = PrecisionSupport.Name(m.Precision), ["parameter_bytes"] = m.ParameterBytes,
                    ["compute_weight_bytes"] = m.ComputeWeightBytes, ["training_state_bytes"] = m.TrainingStateBytes,
                    ["activation_bytes_per_sample"] = m.ActivationBytesPerSample,
                });
            var layers = new JsonArray();
            foreach (var l in summary.Layers)
                layers.Add(new JsonObject
                {
                    ["name"] = l.Name, ["type"] = l.Type,
                    ["output_shape"] = new JsonArray(l.OutputShape.Select(d => (JsonNode?)d).ToArray()),
                    ["params"] = l.Parameters, ["macs"] = l.Macs,
                    ["binary_params"] = l.BinaryParameters, ["real_params"] = l.RealParameters,
                    ["binary_macs"] = l.BinaryMacs, ["real_macs"] = l.RealMacs, ["memory_bits"] = l.MemoryBits,
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
                ["binary_params"] = summary.BinaryParameters,
                ["real_params"] = summary.RealParameters,
                ["binary_macs"] = summary.BinaryMacs,
                ["real_macs"] = summary.RealMacs,
                ["memory_bytes"] = summary.MemoryBytes,
                ["float32_bytes"] = summary.Float32Bytes,
                ["compression_ratio"] = Math.Round(summary.CompressionRatio, 4),
                ["layers"] = layers,
                ["memory"] = memory.Count > 0 ? memoryJson : null,
            }.ToJsonString(CliJson.Compact));
            return ExitCodes.Success;
        }

        // Bit-width columns (larq's summary) only for models with binary layers, so real-valued models print as before.
        bool binary = summary.BinaryParameters > 0;
        var grid = new Table().Border(TableBorder.Simple)
            .AddColumn("layer").AddColumn("type").AddColumn("output").AddColumn(new TableColumn("params").RightAligned()).AddColumn(new TableColumn("MACs").RightAligned());
        if (binary)
        {
            foreach (var column in new[] { "1-bit", "32-bit", "memory", "1-bit MACs", "32-bit MACs" })
                grid.AddColumn(new TableColumn(column).RightAligned());
        }
        foreach (var l in summary.Layers)
        {
            var cells = new List<string> { Markup.Escape(l.Name), Markup.Escape(l.Type), string.Join("x", l.OutputShape), Units.Count(l.Parameters), Units.Count(l.Macs) };
            if (binary) cells.AddRange([Units.Count(l.BinaryParameters), Units.Count(l.RealParameters), Kilobytes((l.MemoryBits + 7) / 8), Units.Count(l.BinaryMacs), Units.Count(l.RealMacs)]);
            grid.AddRow(cells.ToArray());
        }
        env.Console.Write(grid);
        env.Console.WriteLine($"{name} at {string.Join("x", input)}, {classes} classes: {summary.Parameters:N0} params "
            + $"({summary.TrainableParameters:N0} trainable, {summary.FrozenParameters:N0} frozen), {summary.Macs:N0} MACs ({Units.Count(summary.Macs)})");
        if (binary)
        {
            env.Console.WriteLine($"bit-widths: {summary.BinaryParameters:N0} 1-bit and {summary.RealParameters:N0} 32-bit params; "
                + $"{summary.BinaryMacs:N0} 1-bit and {summary.RealMacs:N0} 32-bit MACs");
            env.Console.WriteLine($"model size {Kilobytes(summary.MemoryBytes)} (float32 equivalent {Kilobytes(summary.Float32Bytes)}), "
                + $"compression ratio {summary.CompressionRatio.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)}x");
        }
        if (memory.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple).AddColumn("precision")
                .AddColumn(new TableColumn("weights (fp32)").RightAligned()).AddColumn(new TableColumn("16-bit copies").RightAligned())
                .AddColumn(new TableColumn("grads + Adam").RightAligned()).AddColumn(new TableColumn("act. / sample").RightAligned())
                .AddColumn(new TableColumn("step, batch 32").RightAligned());
            foreach (var m in memory)
                table.AddRow(PrecisionSupport.Name(m.Precision), Megabytes(m.ParameterBytes), Megabytes(m.ComputeWeightBytes),
                    Megabytes(m.TrainingStateBytes), Megabytes(m.ActivationBytesPerSample), Megabytes(m.TrainingBytes(32)));
            env.Console.Write(table);
            env.Console.WriteLine("activations: every layer's output at the precision's element size (an estimate of what backward keeps); measured peaks are in docs/results.md");
        }
        return ExitCodes.Success;
    }

    private static string Megabytes(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + " MiB";

    private static string Kilobytes(long bytes) => (bytes / 1024.0).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + " KiB";
}
