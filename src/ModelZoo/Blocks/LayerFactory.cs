using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>
/// The layers a family is built from. Every block and family asks this factory for its convolutions, norms,
/// activations and linear layers, so a family can be built with other layers (binarized convolutions, another
/// norm) without copying it. <see cref="Default"/> gives exactly the torchvision modules (<c>Conv2d</c>,
/// <c>BatchNorm2d</c>, in-place <c>ReLU</c>, <c>Linear</c>). A replacement must keep the parameter names
/// (<c>weight</c>, <c>bias</c>, ...) for the state dict to stay torchvision's; a custom convolution or linear
/// layer should implement <see cref="IConvLayer"/> or <see cref="ILinearLayer"/> so that
/// <see cref="WeightInit"/> initialises it and the inspector counts its multiply-accumulates.
/// </summary>
public sealed record LayerFactory
{
    /// <summary>The torchvision layers.</summary>
    public static LayerFactory Default { get; } = new();

    /// <summary>Builds a convolution (default: <c>nn.Conv2d</c>).</summary>
    public Func<ConvSpec, nn.Module<Tensor, Tensor>> Conv { get; init; } =
        s => nn.Conv2d(s.InChannels, s.OutChannels, s.KernelSize, stride: s.Stride, padding: s.Padding, bias: s.Bias);

    /// <summary>Builds a normalisation layer (default: <c>nn.BatchNorm2d</c>).</summary>
    public Func<NormSpec, nn.Module<Tensor, Tensor>> Norm { get; init; } = s => nn.BatchNorm2d(s.Channels, eps: s.Eps);

    /// <summary>Builds an activation (default: in-place <c>nn.ReLU</c>, as torchvision).</summary>
    public Func<nn.Module<Tensor, Tensor>> Activation { get; init; } = () => nn.ReLU(inplace: true);

    /// <summary>Builds a fully connected layer (default: <c>nn.Linear</c>).</summary>
    public Func<LinearSpec, nn.Module<Tensor, Tensor>> Linear { get; init; } = s => nn.Linear(s.InFeatures, s.OutFeatures, hasBias: s.Bias);
}
