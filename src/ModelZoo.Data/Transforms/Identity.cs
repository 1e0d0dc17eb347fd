namespace ModelZoo.Data.Transforms;

/// <summary>Returns the image unchanged.</summary>
public sealed class Identity : ITransform
{
    /// <summary>The shared instance.</summary>
    public static Identity Instance { get; } = new();

    /// <inheritdoc />
    public FloatImage Apply(FloatImage image, Random random) => image;

    /// <inheritdoc />
    public override string ToString() => "Identity";
}
