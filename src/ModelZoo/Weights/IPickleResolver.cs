namespace ModelZoo.Weights;

/// <summary>What a <see cref="PickleReader"/> may turn into data: the allow-list and the meaning of each allowed global.</summary>
internal interface IPickleResolver
{
    /// <summary>True when the global may appear at all.</summary>
    bool IsAllowed(PickleReader.Global global);

    /// <summary>The value of calling an allowed global (REDUCE).</summary>
    object? Call(PickleReader.Global callable, IReadOnlyList<object?> args, PickleReader reader);

    /// <summary>Applies a BUILD state to an object.</summary>
    void Build(object? target, object? state, PickleReader reader);

    /// <summary>Resolves a persistent id (BINPERSID).</summary>
    object? PersistentLoad(object? pid, PickleReader reader);
}
