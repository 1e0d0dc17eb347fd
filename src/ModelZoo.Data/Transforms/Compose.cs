namespace ModelZoo.Data.Transforms;

/// <summary>Applies transforms in order, all drawing from the same per-sample <see cref="Random"/>.</summary>
public sealed class Compose : ITransform
{
    /// <summary>Creates the pipeline.</summary>
    public Compose(params ITransform[] transforms)
    {
        Transforms = transforms.ToArray();
    }

    /// <summary>Creates the pipeline.</summary>
    public Compose(IEnumerable<ITransform> transforms)
    {
        Transforms = transforms.ToArray();
    }

    /// <summary>The transforms, in order.</summary>
    public IReadOnlyList<ITransform> Transforms { get; }

    /// <inheritdoc />
    public FloatImage Apply(FloatImage image, Random random)
    {
        foreach (var t in Transforms) image = t.Apply(image, random);
        return image;
    }

    /// <inheritdoc />
    public override string ToString() => $"Compose({string.Join(", ", Transforms)})";
}
