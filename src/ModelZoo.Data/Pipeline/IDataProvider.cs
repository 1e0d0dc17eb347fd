namespace ModelZoo.Data;

/// <summary>
/// Opens the data of a training run (timm's <c>create_loader</c>). <see cref="DataPipeline"/> is the real one; a library
/// user or a test can hand the training session another (in-memory batches, a custom data set).
/// </summary>
public interface IDataProvider
{
    /// <summary>
    /// What <paramref name="request"/>'s data holds (sample counts, classes, channels, input size), without making batches.
    /// The default opens the data at batch size 64 and reads it; <see cref="DataPipeline"/> answers from the resolved sets.
    /// </summary>
    DataFacts Describe(DataRequest request)
    {
        using var data = Open(request, 64);
        return data.Facts(DataSpec.IsMnistLike(request.Spec));
    }

    /// <summary>Opens <paramref name="request"/>'s training (and validation) batches at <paramref name="batchSize"/>.</summary>
    TrainingData Open(DataRequest request, int batchSize);
}
