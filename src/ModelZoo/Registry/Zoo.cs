using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo;

/// <summary>
/// The model registry (timm's <c>create_model</c>): every zoo model by name, with aliases and model cards.
/// </summary>
public static class Zoo
{
    private static readonly Lazy<Dictionary<string, ZooEntry>> Entries = new(BuildTable);

    private static Dictionary<string, ZooEntry> Table => Entries.Value;

    /// <summary>Registered model names, sorted.</summary>
    public static IReadOnlyList<string> Names => Table.Values.Select(e => e.Card.Name).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();

    /// <summary>Alias to canonical name (e.g. <c>resnet</c> -> <c>resnet18</c>).</summary>
    public static IReadOnlyDictionary<string, string> Aliases =>
        Table.Where(kv => kv.Key != kv.Value.Card.Name).ToDictionary(kv => kv.Key, kv => kv.Value.Card.Name);

    /// <summary>The canonical name for a name or alias (case-insensitive; '-' and '_' are equivalent).</summary>
    /// <exception cref="UnknownModelException">No such model.</exception>
    public static string Resolve(string nameOrAlias) => Entry(nameOrAlias).Card.Name;

    /// <summary>The canonical name for a name or alias, or false when the zoo has no such model.</summary>
    public static bool TryResolve(string nameOrAlias, out string name)
    {
        ArgumentNullException.ThrowIfNull(nameOrAlias);
        bool found = Table.TryGetValue(Normalize(nameOrAlias), out var entry);
        name = found ? entry!.Card.Name : "";
        return found;
    }

    /// <summary>The model card.</summary>
    /// <exception cref="UnknownModelException">No such model.</exception>
    public static ModelCard Card(string nameOrAlias) => Entry(nameOrAlias).Card;

    /// <summary>
    /// Builds a model. Unset options are the card's defaults: <c>Zoo.Create("resnet18")</c> is torchvision's
    /// resnet18 (3x224x224, 1000 classes), <c>Zoo.Create("deepcnn")</c> the book's MNIST network (1x28x28, 10 classes).
    /// Every zoo model implements <see cref="IZooModel"/>.
    /// </summary>
    /// <exception cref="UnknownModelException">No such model.</exception>
    /// <exception cref="ArgumentException">The options are invalid for the model.</exception>
    /// <exception cref="Hub.UnknownWeightsException"><see cref="ModelOptions.Weights"/> names no known weights.</exception>
    /// <exception cref="Hub.WeightsDownloadException">The weights could not be downloaded or failed their hash check.</exception>
    /// <exception cref="Weights.WeightsFileException">The weight file is unreadable or does not fit the model.</exception>
    public static nn.Module<Tensor, Tensor> Create(string nameOrAlias, ModelOptions? options = null)
    {
        var entry = Entry(nameOrAlias);
        if (options?.Weights is not null) options = Hub.WeightsHub.PrepareOptions(entry.Card, options); // issue 25: named weights
        options = Resolve(entry.Card, options);
        if (options.NumClasses < 1) throw new ArgumentException($"NumClasses must be at least 1, got {options.NumClasses}");
        if (options.InChannels is not (1 or 3)) throw new ArgumentException($"InChannels must be 1 or 3, got {options.InChannels}");
        if (options.Dropout is < 0 or >= 1) throw new ArgumentException($"Dropout must be in [0, 1), got {options.Dropout}");
        Models.ModelChecks.CheckFamily(options, entry.OptionsFamily ?? entry.Card.Family, entry.Card.Name);
        var model = entry.Factory(options);
        if (model is ZooModule zoo)
        {
            // The registry's card, also for a derived family built by its parent's module (binary-resnet18 on ResNet).
            zoo.Card = entry.Card;
            zoo.Options = options with { Layers = options.Layers };
        }
        TorchRuntime.PrepareFor(model);
        if (options.Weights is not null) Hub.WeightsHub.LoadInto(model, entry.Card, options); // issue 25: downloads, verifies, loads
        return model;
    }

    /// <summary>
    /// The card a model carries (<see cref="IZooModel.Card"/>: the card of the name it was created under).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="model"/> is not a zoo model (it has no card).</exception>
    public static ModelCard CardOf(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model is IZooModel zoo ? zoo.Card
            : throw new ArgumentException($"{model.GetName()} is not a zoo model, so it has no model card (head, first convolution, feature stages); build it with Zoo.Create or implement IZooModel");
    }

    /// <summary>The options <see cref="Create"/> builds the card's default model with: the card's classes and input channels.</summary>
    /// <exception cref="UnknownModelException">No such model.</exception>
    public static ModelOptions DefaultOptions(string nameOrAlias) => Resolve(Card(nameOrAlias), null);

    /// <summary>
    /// <paramref name="options"/> with every value left unset (<see cref="ModelOptions.NumClasses"/>,
    /// <see cref="ModelOptions.InChannels"/>) filled from the model card: what <see cref="Create"/> builds with, and
    /// what to save next to a model so that a later build needs no card.
    /// </summary>
    /// <exception cref="UnknownModelException">No such model.</exception>
    public static ModelOptions ResolveOptions(string nameOrAlias, ModelOptions? options) => Resolve(Card(nameOrAlias), options);

    /// <summary>
    /// Checks, without building anything, that <paramref name="options"/> can build <paramref name="nameOrAlias"/>: its
    /// family options (<see cref="ModelOptions.Family"/>) are the family's own.
    /// </summary>
    /// <exception cref="UnknownModelException">No such model.</exception>
    /// <exception cref="ArgumentException">Another family's options.</exception>
    public static void CheckOptions(string nameOrAlias, ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entry = Entry(nameOrAlias);
        Models.ModelChecks.CheckFamily(options, entry.OptionsFamily ?? entry.Card.Family, entry.Card.Name);
    }

    private static ModelOptions Resolve(ModelCard card, ModelOptions? options)
    {
        options ??= new ModelOptions();
        return options with
        {
            NumClasses = options.NumClasses ?? card.DefaultClasses,
            InChannels = options.InChannels ?? card.DefaultInput.Channels,
        };
    }

    private static ZooEntry Entry(string nameOrAlias)
    {
        string key = Normalize(nameOrAlias);
        return Table.TryGetValue(key, out var entry) ? entry : throw new UnknownModelException(nameOrAlias, Names);
    }

    private static string Normalize(string name) => name.Trim().ToLowerInvariant().Replace('-', '_');

    private static Dictionary<string, ZooEntry> BuildTable()
    {
        var table = new Dictionary<string, ZooEntry>(StringComparer.Ordinal);
        foreach (var entry in ZooCatalog.All())
        {
            if (!table.TryAdd(Normalize(entry.Card.Name), entry))
                throw new InvalidOperationException($"model {entry.Card.Name} registered twice");
            foreach (var alias in entry.Aliases)
                if (!table.TryAdd(Normalize(alias), entry))
                    throw new InvalidOperationException($"alias {alias} registered twice");
        }
        return table;
    }
}
