namespace ModelZoo.Cli.Commands;

/// <summary>Opens the data of a <c>train</c> run (the real one wires ModelZoo.Data; tests substitute in-memory data).</summary>
public interface ITrainDataProvider
{
    /// <summary>Opens the training (and validation) batches for <paramref name="request"/>.</summary>
    TrainData Open(TrainDataRequest request);
}
