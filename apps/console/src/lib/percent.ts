/** A share from 0 to 1 as the console prints every rate: whole percent, a space, `%` ("83 %"). */
export const percent = (share: number): string => `${Math.round(share * 100)} %`;
