using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Blocks;

/// <summary>Finds a module's role (convolution, linear) whatever its type.</summary>
internal static class LayerRoles
{
    /// <summary>The convolution role of <paramref name="module"/>, or null when it has none.</summary>
    public static IConvLayer? AsConv(nn.Module module) => module switch
    {
        IConvLayer conv => conv,
        Conv2d conv when conv.weight is not null => new Conv2dRole(conv),
        _ => null,
    };

    /// <summary>The linear role of <paramref name="module"/>, or null when it has none.</summary>
    public static ILinearLayer? AsLinear(nn.Module module) => module switch
    {
        ILinearLayer linear => linear,
        Linear linear when linear.weight is not null => new LinearRole(linear),
        _ => null,
    };

    private sealed class Conv2dRole(Conv2d conv) : IConvLayer
    {
        public Tensor Weight => conv.weight!;
        public Tensor? Bias => conv.bias;
        public long InChannels => conv.in_channels;
        public long OutChannels => conv.out_channels;
        public (long Height, long Width) KernelSize => (Weight.shape[2], Weight.shape[3]);
        public (long Height, long Width) Stride => (conv.stride[0], conv.stride[1]);
    }

    private sealed class LinearRole(Linear linear) : ILinearLayer
    {
        public Tensor Weight => linear.weight!;
        public Tensor? Bias => linear.bias;
        public long InFeatures => Weight.shape[1];
        public long OutFeatures => Weight.shape[0];
    }
}
