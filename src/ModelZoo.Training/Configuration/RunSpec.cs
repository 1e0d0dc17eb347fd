using System.Text.Json.Nodes;

namespace ModelZoo.Training;

/// <summary>
/// One run specification: what to train (model and model options), on what (data and data options) and how (training
/// options), with the weights to start from. It has one JSON form (<see cref="ToJson"/>, read back by
/// <see cref="RunSpecLayer.FromJson"/>): the <c>--config</c> recipe file, what <c>--print-config</c> prints and the
/// specification part of a run folder's <c>config.json</c> are the same schema, so each can be fed back as the other.
/// A spec is assembled from layers (<see cref="RunSpecComposer"/>: built-in recipe &lt; recipe file &lt; resumed run
/// &lt; command line) and checked once (<see cref="Problems"/>).
/// </summary>
public sealed record RunSpec
{
    /// <summary>Canonical zoo name of the model (<c>model</c>); null until a layer names it.</summary>
    public string? Model { get; init; }

    /// <summary>How the model is built (<c>modelOptions</c>); its classes and input channels come from the data.</summary>
    public ModelOptions ModelOptions { get; init; } = new();

    /// <summary>The data spec (<c>data</c>): <c>mnist</c>, <c>fashion-mnist</c>, <c>mnist-sample</c> or a folder.</summary>
    public string? Data { get; init; }

    /// <summary>How the data is opened (<c>dataOptions</c>).</summary>
    public RunDataOptions DataOptions { get; init; } = new();

    /// <summary>How the model is trained (<c>training</c>).</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>Weights to start from (<c>pretrained</c>): a torchvision <c>.pth</c> or a <c>.safetensors</c> file; null starts from the initialisation.</summary>
    public string? Pretrained { get; init; }

    /// <summary>Where the defaults came from (<c>recipe</c>), for the record; not an option.</summary>
    public string? Recipe { get; init; }

    /// <summary>The spec in its one JSON form (every section complete; what <c>--print-config</c> prints).</summary>
    public JsonObject ToJson() => RunSpecJson.Write(this);

    /// <summary>
    /// What is wrong with the spec, each as a path (<c>training.epochs</c>) and a message template in which
    /// <c>{path}</c> stands for the option as its source spelled it (see <see cref="RunSpecComposer"/>). Empty when valid.
    /// </summary>
    public IReadOnlyList<RunSpecProblem> Problems()
    {
        var problems = new List<RunSpecProblem>();
        // A zoo model checks its family options; a model of the caller's own (trained with the Trainer directly) is not in the zoo.
        if (Model is string model && ModelOptions.Family is not null && Zoo.TryResolve(model, out var name))
        {
            try { Zoo.CheckOptions(name, ModelOptions); }
            catch (ArgumentException e) { problems.Add(new RunSpecProblem("modelOptions.family", "{modelOptions.family}: " + e.Message)); }
        }
        if (ModelOptions.Dropout is double p && !(p is >= 0 and < 1))
            problems.Add(new RunSpecProblem("modelOptions.dropout", $"{{modelOptions.dropout}} must be in [0, 1), got {p}"));
        problems.AddRange(DataOptions.Problems());
        problems.AddRange(Training.Problems());
        return problems;
    }
}
