using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>
/// The fully connected role: a module computing <c>x W^T + b</c> with <see cref="Weight"/>. <see cref="WeightInit"/>
/// initialises and the inspector counts every module with this role; TorchSharp's <c>Linear</c> has it without
/// implementing the interface. Implement it on a custom linear layer from a <see cref="LayerFactory"/>.
/// </summary>
public interface ILinearLayer
{
    /// <summary>The weight, shape <c>[out, in]</c>.</summary>
    Tensor Weight { get; }

    /// <summary>The bias, or null.</summary>
    Tensor? Bias { get; }

    /// <summary>Input features.</summary>
    long InFeatures { get; }

    /// <summary>Output features.</summary>
    long OutFeatures { get; }
}
