namespace ModelZoo.Blocks;

/// <summary>What a family asks of a convolution; <see cref="LayerFactory.Conv"/> turns it into a module.</summary>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="KernelSize">Square kernel size.</param>
/// <param name="Stride">Stride.</param>
/// <param name="Padding">Zero padding on each side.</param>
/// <param name="Bias">Whether the convolution has a bias (false when a norm follows).</param>
public sealed record ConvSpec(long InChannels, long OutChannels, long KernelSize, long Stride = 1, long Padding = 0, bool Bias = true);
