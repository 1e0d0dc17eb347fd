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
        string path = Checkpoint.ResolveBestPath(settings.Checkpoint ?? PretrainedCheckpoint.For(settings.Weights!, env, cancellationToken));
        var info = Checkpoint.ReadInfo(path);
        using var input = new CheckpointImageInput(info);
        using var scope = NewDisposeScope();
        var (model, _) = Checkpoint.LoadModel(path);
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
                var features = zoo.ForwardFeatures(input.Load(image)).mean([2L, 3L]);
                float[] vector = features.data<float>().ToArray();
                dim = vector.Length;
                double norm = Math.Sqrt(vector.Sum(v => (double)v * v));
                results.Add(new JsonObject { ["image"] = image, ["embedding"] = new JsonArray(vector.Select(v => (JsonNode?)v).ToArray()) });
                table.AddRow(Markup.Escape(image), dim.ToString(CultureInfo.InvariantCulture), norm.ToString("0.0000", CultureInfo.InvariantCulture),
                    string.Join(" ", vector.Take(4).Select(v => v.ToString("0.000", CultureInfo.InvariantCulture))) + (dim > 4 ? " ..." : ""));
            }
        }
        if (settings.Json)
            env.Console.Profile.Out.Writer.WriteLine(new JsonObject { ["checkpoint"] = path, ["model"] = info.ModelName, ["dim"] = dim, ["results"] = results }.ToJsonString(CliJson.Compact));
        else
            env.Console.Write(table);
        return ExitCodes.Success;
    }
}
