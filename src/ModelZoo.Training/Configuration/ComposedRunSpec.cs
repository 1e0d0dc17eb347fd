namespace ModelZoo.Training;

/// <summary>
/// A <see cref="RunSpec"/> with where each of its fields came from (which <see cref="RunSpecLayer"/> set it last), so
/// policy can tell a value the user gave from a default, and messages can name an option as the user spelled it.
/// </summary>
public sealed class ComposedRunSpec
{
    private readonly IReadOnlyDictionary<string, RunSpecLayer> _setBy;

    internal ComposedRunSpec(RunSpec spec, IReadOnlyDictionary<string, RunSpecLayer> setBy, IReadOnlyList<RunSpecLayer> layers)
    {
        Spec = spec;
        _setBy = setBy;
        Layers = layers;
    }

    /// <summary>The composed specification.</summary>
    public RunSpec Spec { get; }

    /// <summary>The layers, lowest (the defaults) first.</summary>
    public IReadOnlyList<RunSpecLayer> Layers { get; }

    /// <summary>The layer that set <paramref name="path"/> last (the defaults when no layer did).</summary>
    public RunSpecLayer SetBy(string path) => _setBy.TryGetValue(path, out var layer) ? layer : Layers[0];

    /// <summary>True when a layer of a kind above <see cref="RunSpecLayerKind.BuiltInRecipe"/> set <paramref name="path"/>: the user chose it (in a file, a resumed run, code or on the command line).</summary>
    public bool ChosenByUser(string path) => SetBy(path).Kind > RunSpecLayerKind.BuiltInRecipe;

    /// <summary>The index (in <see cref="Layers"/>) of the layer that set <paramref name="path"/> last.</summary>
    public int LevelOf(string path)
    {
        var layer = SetBy(path);
        for (int i = Layers.Count - 1; i >= 0; i--)
            if (ReferenceEquals(Layers[i], layer)) return i;
        return 0;
    }

    /// <summary>
    /// The value of <paramref name="path"/> as composed up to and including layer <paramref name="level"/> (an index in
    /// <see cref="Layers"/>), in JSON: what the spec said before the higher layers spoke.
    /// </summary>
    public System.Text.Json.Nodes.JsonNode? ValueAt(string path, int level)
    {
        ArgumentNullException.ThrowIfNull(path);
        System.Text.Json.Nodes.JsonNode? value = null;
        var (section, field) = RunSpecJson.Split(path);
        for (int i = 0; i <= Math.Min(level, Layers.Count - 1); i++)
        {
            if (!Layers[i].Sets(path)) continue;
            value = section.Length == 0 ? Layers[i].Values[field] : Layers[i].Values[section]![field];
        }
        return value;
    }

    /// <summary>How a message names <paramref name="path"/>: as the layer that set it spells it.</summary>
    public string Spell(string path) => SetBy(path).Spell(path);

    /// <summary>This composition with <paramref name="spec"/> in place of <see cref="Spec"/> (policy's choices; provenance unchanged).</summary>
    public ComposedRunSpec WithSpec(RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new ComposedRunSpec(spec, _setBy, Layers);
    }

    /// <summary>Throws <see cref="RunSpecException"/> with every problem of <see cref="Spec"/>, spelled by source.</summary>
    public void EnsureValid()
    {
        var problems = Spec.Problems();
        if (problems.Count > 0) throw new RunSpecException(problems.Select(p => p.Format(Spell)).ToList());
    }
}
