namespace ModelZoo.Blocks;

/// <summary>The role of a layer whose weight <see cref="WeightInit"/> draws.</summary>
public enum LayerRole
{
    /// <summary>A convolution (<see cref="IConvLayer"/> or TorchSharp's <c>Conv2d</c>).</summary>
    Conv,

    /// <summary>A fully connected layer (<see cref="ILinearLayer"/> or TorchSharp's <c>Linear</c>).</summary>
    Linear,
}
