using ModelZoo.Data.Imaging;
using ModelZoo.Data.Transforms;
using ModelZoo.Training;
using static TorchSharp.torch;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// Turns image files into model input the way a checkpoint was trained: its channels and size, its normalisation,
/// and the evaluation crop (MNIST-sized models: resize to the input; others: resize 256 and centre-crop).
/// </summary>
internal sealed class CheckpointImageInput : IDisposable
{
    private readonly ITransform _transform;
    private readonly SafeImageDecoder _decoder;

    public CheckpointImageInput(CheckpointInfo info)
    {
        _transform = TransformPresets.Eval(info.ImageSize, info.Normalization, small: IsSmall(info));
        _decoder = new SafeImageDecoder(new ImageDecodeOptions(info.Channels));
    }

    /// <summary>
    /// The preprocessing an ONNX file of this checkpoint records (what predict does): MNIST-sized models see the image
    /// resized to the input, others resize to 256/224 of it and centre-crop; the checkpoint's normalisation.
    /// </summary>
    public static Preprocessing Preprocessing(CheckpointInfo info)
    {
        int size = info.ImageSize;
        int? resize = IsSmall(info) ? null : (int)Math.Round(size * 256.0 / 224.0);
        return new Preprocessing(info.Normalization.Mean, info.Normalization.Std, resize, size, "bilinear");
    }

    /// <summary>MNIST-sized models (input under 64 pixels) see the image resized to the input; others resize and centre-crop.</summary>
    public static bool IsSmall(CheckpointInfo info) => info.ImageSize < 64;

    /// <summary>The image as a 1 x C x H x W tensor.</summary>
    /// <exception cref="BadImageException">The file is not a decodable image.</exception>
    public Tensor Load(string path)
    {
        var pixels = _transform.Apply(_decoder.Decode(path), new Random(0));
        return tensor(pixels.Data, [1, pixels.Channels, pixels.Height, pixels.Width]);
    }

    public void Dispose() => _decoder.Dispose();
}
