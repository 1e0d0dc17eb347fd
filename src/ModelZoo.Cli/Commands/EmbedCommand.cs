using TorchSharp;
using System.Globalization;
using System.Text.Json.Nodes;
using ModelZoo.Training;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// <c>modelzoo embed</c>: the pooled features of each image (the model's trunk, <see cref="IZooModel.ForwardFeatures"/>,
/// averaged over its spatial positions): the vector the classifier sees, for retrieval or clustering.
/// </summary>
public sealed class EmbedCommand(CliEnvironment env) : Command<EmbedSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, EmbedSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Output is not null) OutputPaths.CheckFile("--output", settings.Output, settings.Overwrite, OutputPaths.MinimumFreeBytes);
        TorchSharp.torch.set_num_threads(settings.ThreadsOrDefault);
        var device = DeviceSelector.Resolve(settings.Device ?? "cpu");
        var precision = settings.PrecisionOrDefault;
        bool channelsLast = settings.ChannelsLastChoice ?? ChannelsLast.PreferredForInference(precision, device.type);
        string path = Checkpoint.ResolveBestPath(settings.Checkpoint ?? PretrainedCheckpoint.For(settings.Weights!, env, cancellationToken));
        var info = Checkpoint.ReadInfo(path);
        using var input = new CheckpointImageInput(info);
        using var scope = NewDisposeScope();
        var (model, _) = Checkpoint.LoadModel(path);
        model.to(device).eval();
        var results = new JsonArray();
        var table = new Table().Border(TableBorder.Simple).AddColumn("image").AddColumn(new TableColumn("dim").RightAligned())
            .AddColumn(new TableColumn("L2 norm").RightAligned()).AddColumn("first values");
        int dim = 0;
        using (model)
        using (no_grad())
        {
            if (model is not IZooModel zoo) throw new ModelZooException($"model '{info.ModelName}' has no feature trunk to embed with");
            foreach (string image in settings.Images)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var step = NewDisposeScope();
                var x = input.Load(image).to(device);
                if (channelsLast) x = ChannelsLast.Convert(x);
                Tensor features;
                using (Autocast.Enter(precision)) features = zoo.ForwardFeatures(x);
                features = features.to_type(ScalarType.Float32).mean([2L, 3L]).cpu();
                float[] vector = features.data<float>().ToArray();
                dim = vector.Length;
                double norm = Math.Sqrt(vector.Sum(v => (double)v * v));
                results.Add(new JsonObject { ["image"] = image, ["embedding"] = new JsonArray(vector.Select(v => (JsonNode?)v).ToArray()) });
                table.AddRow(Markup.Escape(image), dim.ToString(CultureInfo.InvariantCulture), norm.ToString("0.0000", CultureInfo.InvariantCulture),
                    string.Join(" ", vector.Take(4).Select(v => v.ToString("0.000", CultureInfo.InvariantCulture))) + (dim > 4 ? " ..." : ""));
            }
        }
        var document = new JsonObject { ["checkpoint"] = path, ["model"] = info.ModelName, ["dim"] = dim, ["results"] = results };
        if (settings.Output is not null) OutputFolder.WriteFile(settings.Output, document.ToJsonString(CliJson.Indented));
        if (settings.Json) env.Console.Profile.Out.Writer.WriteLine(document.ToJsonString(CliJson.Compact));
        else env.Console.Write(table);
        return ExitCodes.Success;
    }
}
