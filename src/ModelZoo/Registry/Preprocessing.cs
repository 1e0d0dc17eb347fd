namespace ModelZoo;

/// <summary>
/// How images are prepared for a model at evaluation (timm's <c>pretrained_cfg</c>: mean, std, interpolation,
/// crop): resize the shorter side to <see cref="ResizeSize"/> with <see cref="Interpolation"/>, centre-crop
/// <see cref="CropSize"/>, scale to [0, 1], then subtract <see cref="Mean"/> and divide by <see cref="Std"/> per channel.
/// </summary>
/// <param name="Mean">Per-channel mean (one value for grey input, three for RGB).</param>
/// <param name="Std">Per-channel standard deviation.</param>
/// <param name="ResizeSize">Shorter side after resizing; null: no resize (the images already have the model's size).</param>
/// <param name="CropSize">Side of the centre crop the model sees.</param>
/// <param name="Interpolation">Resize interpolation in torchvision's spelling, e.g. <c>bilinear</c>.</param>
public sealed record Preprocessing(IReadOnlyList<float> Mean, IReadOnlyList<float> Std, int? ResizeSize, int CropSize, string Interpolation)
{
    /// <summary>ImageNet statistics (0.485, 0.456, 0.406) / (0.229, 0.224, 0.225), resize 256, centre crop 224, bilinear: torchvision's defaults.</summary>
    public static Preprocessing ImageNet { get; } = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f], 256, 224, "bilinear");

    /// <summary>MNIST statistics (0.1307) / (0.3081) at 28x28, no resize or crop.</summary>
    public static Preprocessing Mnist { get; } = new([0.1307f], [0.3081f], null, 28, "bilinear");
}
