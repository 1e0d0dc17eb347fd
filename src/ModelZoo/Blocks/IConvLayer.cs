using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>
/// The convolution role: a module that convolves with <see cref="Weight"/>. <see cref="WeightInit"/> initialises
/// and the inspector counts every module with this role; TorchSharp's <c>Conv2d</c> has it without implementing
/// the interface. Implement it on a custom convolution from a <see cref="LayerFactory"/>.
/// </summary>
public interface IConvLayer
{
    /// <summary>The kernel, shape <c>[out, in / groups, kh, kw]</c> (the latent real-valued one for a binarized layer).</summary>
    Tensor Weight { get; }

    /// <summary>The bias, or null.</summary>
    Tensor? Bias { get; }

    /// <summary>Input channels.</summary>
    long InChannels { get; }

    /// <summary>Output channels.</summary>
    long OutChannels { get; }

    /// <summary>Kernel height and width.</summary>
    (long Height, long Width) KernelSize { get; }

    /// <summary>Stride (height, width).</summary>
    (long Height, long Width) Stride { get; }
}
