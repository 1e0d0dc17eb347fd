namespace ModelZoo.Cli.Commands;

/// <summary>A trained classifier that <c>predict</c> runs on image files: a checkpoint in TorchSharp or an ONNX file in ONNX Runtime.</summary>
internal interface IImageClassifier : IDisposable
{
    /// <summary>The checkpoint or ONNX file.</summary>
    string Source { get; }

    /// <summary>Registry name of the model.</summary>
    string ModelName { get; }

    /// <summary>Class names, index = output position.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>The data spec the model was trained on, when known (where <c>classes.txt</c> is looked for).</summary>
    string? DataSpec => null;

    /// <summary>Softmax probabilities of the image, preprocessed as the model expects.</summary>
    /// <exception cref="ModelZoo.Data.Imaging.BadImageException">The file is not a decodable image.</exception>
    float[] Probabilities(string imagePath);
}
